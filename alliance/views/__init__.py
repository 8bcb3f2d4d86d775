"""The pages of /alliance/, by sub-domain: the landing page (`landing`), the registry and
annual targets (`registry`), community coordination (`coordination`), the mediation studio
(`mediation`) and the community page (`community`)."""
