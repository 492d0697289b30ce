"""The case pages, one module per kind of work:

- ``centre``: the command centre (受理员, 值班长, 派遣员): live queue, saved views, the case page with its actions,
  dispatch with routing and duplicate suggestions, the overdue board with 督办 — the case page serves every post
- ``field``: the grid worker's and inspector's phone: report with position and photos, my grid's cases, 核实/核查 tasks
- ``department``: a department's inbox: 签收, 处置反馈, 退回, 延期/挂账 requests, rework
- ``public``: residents without an account: report, follow a case by number, rate it or say it is not solved

Each module lists its own ``urls``; ``gridgov/cases/urls.py`` joins them.
"""
