"""The one error the command reports (one line, no traceback) and exits 2 on, having written nothing."""


class BacktestError(Exception):
    pass
