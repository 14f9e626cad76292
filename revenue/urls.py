from django.urls import path

from revenue import views

app_name = "revenue"
urlpatterns = [
    path("", views.index, name="index"),
]
