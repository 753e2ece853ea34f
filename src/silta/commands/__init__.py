"""The ``silta`` sub-commands, one module per concept."""
