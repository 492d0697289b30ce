"""Pure-Python geometry logic (no Django): projection, boundary repair, partition, grids."""
