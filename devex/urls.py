from django.urls import path

from devex import views

app_name = "devex"
urlpatterns = [
    path("", views.index, name="index"),
]
