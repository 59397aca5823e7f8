"""Local stand-ins for the chat platforms spoc talks to, for tests and benchmarks.

Each stand-in is a real server on 127.0.0.1 (or a builder of the requests the platform would send),
so the real client libraries run unpatched against it. Platform words stay in the modules named after
their platform.
"""
