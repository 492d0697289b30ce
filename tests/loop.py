"""Staff take a reported case round the loop to 已结案 through the service layer (for tests of what follows)."""

from gridgov.cases import services


def close_loop(users, number, feedback="已清运，垃圾桶已清洗"):
    """``users``: demo accounts by username (intake, inspector, dispatcher, handler); returns the closed case."""
    services.transition(users["intake"], number, "assign_verify")
    services.transition(users["inspector"], number, "confirm")
    services.transition(users["intake"], number, "register", {"matter": "06010"})
    services.transition(users["dispatcher"], number, "dispatch", {"department": "110101-HW"})
    services.transition(users["handler"], number, "accept")
    services.transition(users["handler"], number, "handle", {"feedback": feedback})
    services.transition(users["inspector"], number, "inspect_pass")
    return services.transition(users["intake"], number, "close")
