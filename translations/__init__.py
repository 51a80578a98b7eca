"""Translation files for agencies: export a selection as XLIFF 1.2 or PO, import
the translated file back into the working copy (docs/translation-files.md)."""
