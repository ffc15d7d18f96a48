from django.db import models


class SentMail(models.Model):
    """One mail that left: the marker a task checks before sending again.

    `about` names the object the mail is about (a ticket id, a clock id and its threshold, a
    password-reset request), `recipient` the sorted, lower-cased addresses it went to.
    """

    kind = models.CharField(max_length=40)
    about = models.CharField(max_length=200)
    recipient = models.CharField(max_length=1000)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "about", "recipient"], name="sentmail_once_per_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.about} -> {self.recipient}"
