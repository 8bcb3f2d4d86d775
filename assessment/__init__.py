"""assessment — rubrics (考核细则), rounds and scoring, inspections and rectification.

Fifth floor: imports activities and the floors below."""
