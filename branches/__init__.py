"""branches — the organization tree (kinds, paths, committees, 六有) and reference data.

Second floor: imports core only. Reads members and the alliance registry by reverse relation
names; tells the apps above through branches.signals."""
