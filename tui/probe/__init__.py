"""The probe ladder (which layer of "my key does not work" fails) and the ladder as JUnit XML."""
