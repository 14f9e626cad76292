"""Portal pages for sellers: their products (list, create, edit price, volume prices, on sale or not)."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from novacron.core.exceptions import DomainError
from novacron.core.money import Money
from revenue import selectors
from revenue.forms import ProductForm, add_domain_error
from revenue.models import Product, Seller
from revenue.services.products import product_create, product_update, seller_can_manage


def _sellers(request: HttpRequest) -> list[Seller]:
    return [
        s
        for s in selectors.sellers_for_user(user_id=request.user.pk)
        if seller_can_manage(seller=s, user=request.user)
    ]


def _rows(products: list[Product]) -> list[dict]:
    return [
        {
            "product": p,
            "price": Money(p.unit_amount, p.currency),
            "tiers": [
                (t["min_quantity"], Money(int(t["unit_amount"]), p.currency)) for t in p.volume_tiers or []
            ],
        }
        for p in products
    ]


@login_required
def seller_products(request: HttpRequest) -> HttpResponse:
    """The products of the sellers the user manages; POST creates one."""
    sellers = _sellers(request)
    form = ProductForm(request.POST or None, sellers=sellers)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            seller = next(s for s in sellers if s.pk == data["seller"])
            try:
                product = product_create(
                    seller=seller,
                    actor=request.user,
                    name=data["name"],
                    description=data["description"],
                    unit_amount=data["unit_amount"],
                    currency=data["currency"],
                    volume_tiers=data["tiers"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"“{product.name}” is on sale.")
                return redirect("revenue:seller_products")
        status = 400
    products = list(
        Product.objects.filter(seller__in=sellers).select_related("seller").order_by("name", "id")
    )
    return render(
        request,
        "revenue/products.html",
        {"form": form, "rows": _rows(products), "sellers": sellers},
        status=status,
    )


@login_required
def seller_product_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    product = Product.objects.select_related("seller").filter(public_id=public_id).first()
    if product is None or not seller_can_manage(seller=product.seller, user=request.user):
        raise Http404
    form = ProductForm(
        request.POST or None, sellers=[product.seller], initial=ProductForm.initial_for(product)
    )
    form.fields["seller"].disabled = True
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                product_update(
                    product=product,
                    actor=request.user,
                    name=data["name"],
                    description=data["description"],
                    unit_amount=data["unit_amount"],
                    currency=data["currency"],
                    volume_tiers=data["tiers"],
                    is_active=data["is_active"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"“{product.name}” was saved.")
                return redirect("revenue:seller_products")
        status = 400
    return render(request, "revenue/product_edit.html", {"form": form, "product": product}, status=status)
