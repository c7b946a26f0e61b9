"""Printing helpers shared by certificates, classes and coverage: fonts, the restricted URL
fetcher, QR codes and the Vietnamese date. Functions of their inputs: no database, no models."""
