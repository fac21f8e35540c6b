"""Primitive operations, grouped by family. Each op's forward sits beside its backward."""
