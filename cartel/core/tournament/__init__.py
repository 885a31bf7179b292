"""The tournament inside a discipline: fixtures, pools and their tie-breaks, brackets and the places
they give. Pure: matches in, places out (no Flask, no database)."""
