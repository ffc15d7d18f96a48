"""Background work on Django's Tasks framework (`django.tasks`), shared by every app.

- `queue.background_task`: a `@task` that retries with exponential backoff and then fails
  visibly; `queue.enqueue_on_commit`: enqueue after the surrounding transaction commits,
  with ids, never model instances.
- `mail.mail_once`: send a message unless the same mail (kind, what it is about,
  recipients) was sent before, recorded in `SentMail`, so a task that runs twice mails once.
"""
