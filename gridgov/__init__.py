"""gridgov — an open platform for 网格化管理 (grid-based city and community governance)."""

__version__ = "0.1.0"
