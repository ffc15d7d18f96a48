from moneyed import Money as DefaultMoney

class Money(DefaultMoney):
    def __init__(self, *args: object, format_options: object = ..., **kwargs: object) -> None: ...
