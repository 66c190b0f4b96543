"""All I/O: SQL store, warehouse, configuration files, clock."""
