"""Trucks and drivers fit to go: inspections, maintenance, documents with
expiry, and the mobile clinic days at risk because of them.

This app sits above vaccination and fleet (STYLE.md): it reads mobile
clinics and their bookings, and answers the hooks fleet and vaccination
define so that neither imports it. The days at risk: readiness.clinic_days.at_risk_days.
"""
