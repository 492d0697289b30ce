"""Pure logic of the grid's public face (no Django import)."""
