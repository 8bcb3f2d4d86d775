"""alliance — the alliance app proper: registry and annual targets, community coordination
(needs, resources, claims), the mediation studio, community pages. Owns /alliance/.

Fifth floor: imports activities and the floors below."""
