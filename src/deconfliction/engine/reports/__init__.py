"""Reports computed from ledger entries alone, and their offline check."""
