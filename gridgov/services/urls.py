"""便民服务 pages, under /services/."""

from django.urls import path

from .views import elderly, facilities, grid_team, home, pledges, request_detail, request_list, team

app_name = "services"
urlpatterns = [
    path("", home, name="home"),
    path("grids/<str:code>/", grid_team, name="grid"),
    path("teams/<int:pk>/", team, name="team"),
    path("facilities/", facilities, name="facilities"),
    path("elderly/", elderly, name="elderly"),
    path("requests/", request_list, name="requests"),
    path("requests/<int:pk>/", request_detail, name="request"),
    path("pledges/<str:community>/", pledges, name="pledges"),
]
