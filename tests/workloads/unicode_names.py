"""A hot method whose class and name are not ASCII."""
from _common import ready, burn


class Café:
    def naïve_方法(self):
        while True:
            burn(0.01)


ready()
Café().naïve_方法()
