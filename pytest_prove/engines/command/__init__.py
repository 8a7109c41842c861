"""Machine-readable reports of a command gate (SARIF, JUnit XML, ESLint JSON) read as findings."""
