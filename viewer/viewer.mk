# viewer.mk — mmapview.  Included by the Makefile.
