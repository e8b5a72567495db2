"""ringnic Python driver model."""
