"""Models of the processing log outward (VNG Verwerkingenlogging, issue 22 point 3)."""
