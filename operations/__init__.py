"""Operations: the periodic-job scheduler (`manage.py scheduler`), the tasks that run the
periodic jobs, and the admin's list of background tasks with its retry action."""
