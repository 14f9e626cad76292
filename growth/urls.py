from django.urls import path

from growth import views

app_name = "growth"
urlpatterns = [
    path("", views.index, name="index"),
]
