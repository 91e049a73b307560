"""The portal's chart colours, shared by the web charts (plotly.js) and the PDF's (matplotlib).
Each has 3:1 contrast against white for graphical objects (WCAG 1.4.11)."""

BRAND = "#00507a"
GOAL = "#a4262c"
TRAJECTORY = "#6b3a00"
