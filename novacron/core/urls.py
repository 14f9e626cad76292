from django.urls import path

from novacron.core import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("hello/", views.hello, name="hello"),
]
