"""Models of the basedata app."""
