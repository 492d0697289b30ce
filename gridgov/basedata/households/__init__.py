"""households (issue #17 item 5): the demo step of the 网格长's annual visits. It is its own entry in
``gridgov.demo.DEMO_APPS`` (after the cases and the grid change) so that its visits can name demo cases and fall
on the households' final grids; the code of the capability itself is ``gridgov/basedata/coverage.py``."""
