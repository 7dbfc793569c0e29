"""Three functions burning CPU in 60/30/10 proportion of thread CPU time."""
import time
from _common import ready


def sixty(ms):
    end = time.thread_time() + ms / 1000.0
    while time.thread_time() < end:
        pass


def thirty(ms):
    end = time.thread_time() + ms / 1000.0
    while time.thread_time() < end:
        pass


def ten(ms):
    end = time.thread_time() + ms / 1000.0
    while time.thread_time() < end:
        pass


def main():
    ready()
    while True:
        sixty(60)
        thirty(30)
        ten(10)


main()
