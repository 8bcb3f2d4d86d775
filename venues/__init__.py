"""venues — shared venues (阵地联享): rooms, opening hours, bookings and their decisions.

Third floor: imports branches and core."""
