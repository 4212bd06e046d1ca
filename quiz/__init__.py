"""Quiz generation for trainers: grounded items with answer keys and citations, and exports."""
