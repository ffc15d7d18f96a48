"""Every write on tickets: intake, lifecycle, messages, work and charging, mail intake."""
