from paperweb.cli import main

main()
