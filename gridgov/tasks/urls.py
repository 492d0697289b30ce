"""Pages of 专项工作, mounted at /tasks/."""

from django.urls import path

from . import views

app_name = "tasks"

urlpatterns = [
    path("", views.home, name="home"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("campaigns/<int:pk>/report/", views.campaign_report, name="campaign_report"),
    path("campaigns/<int:pk>/export.xlsx", views.campaign_export, name="campaign_export"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/new/", views.task_new, name="task_new"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/<int:pk>/feedback/", views.task_feedback, name="task_feedback"),
    path("tasks/<int:pk>/decision/", views.task_decision, name="task_decision"),
    path("drills/", views.drills, name="drills"),
    path("drills/new/", views.drill_new, name="drill_new"),
    path("drills/<int:pk>/", views.drill, name="drill"),
    path("drills/<int:pk>/record/", views.drill_record, name="drill_record"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/confirm/", views.meeting_confirm, name="meeting_confirm"),
]
