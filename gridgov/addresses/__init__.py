"""底图与地址: the standard address register (标准地址: 门牌地址 and POIs) and the base-map sources an administrator
keeps (the pure part of base maps is ``gridgov.geo.basemap``)."""
