"""The leader dashboard (领导看板): today and this month by street and department, open cases on a grid map,
the trend (ECharts)."""
