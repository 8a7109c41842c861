"""The audit log (append-only, hash-chained), the run consumer that writes to it, and who
is acting."""
