# win32.mk — the Win32 twins.  Included by the Makefile.
