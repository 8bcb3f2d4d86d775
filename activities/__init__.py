"""activities — organizational life, joint activities, attendance, training and contests,
volunteering, compliance.

Fourth floor: imports members, venues, branches, core; tells the apps above through
activities.signals."""
