# Per-visit records (session notes, appointments) arrive with the clinical and
# scheduling issues. Tables are prefixed "visits_" (see apps.py).
