"""Rehabilitation of land disturbed by mining: status and (later) cost estimates."""
