# Headless render of a waveform with sim/ringnic.gtkw: zoom to fit, save a PNG, quit.
# Used by tests/test_waves.py: xvfb-run gtkwave -a sim/ringnic.gtkw -S sim/gtkwave_grab.tcl <fst>
# The PNG path comes from the environment variable RINGNIC_PNG.
gtkwave::/Time/Zoom/Zoom_Best_Fit
gtkwave::/File/Grab_To_File $::env(RINGNIC_PNG)
gtkwave::/File/Quit
