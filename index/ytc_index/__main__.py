from ytc_index.server import main

main()
