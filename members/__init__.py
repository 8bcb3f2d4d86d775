"""members — the party members' roster: relations, transfers, participations, the import.

Third floor: imports branches and core."""
