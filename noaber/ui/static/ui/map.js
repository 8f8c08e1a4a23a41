// Maps drawn from Noaber's own boundary data (the municipality's outline and its kernen), with
// Leaflet served by Noaber itself. Progressive: without JavaScript the pages keep their
// coordinate fields and tables, which say the same thing.
//
//   data-noaber-map="pick"    the report form: a click (or "Kies het midden van de kaart")
//                             fills the latitude and longitude fields. No tile layer, ever: an
//                             anonymous reporter's point is never sent anywhere else.
//   data-noaber-map="counts"  the staff map: areas coloured by the counts in the JSON element
//                             named by data-counts; an installation may add a tile layer
//                             (data-tiles, data-attribution).
(function () {
  "use strict";
  if (!window.L || !window.fetch) return;

  function colour(element, name, fallback) {
    var value = getComputedStyle(element).getPropertyValue(name).trim();
    return value || fallback;
  }

  function newMap(element) {
    var map = L.map(element, {
      attributionControl: Boolean(element.dataset.tiles),
      zoomSnap: 0.25,
      scrollWheelZoom: false, // the page scrolls; zoom with the buttons, a pinch or + and -
    });
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, {
        attribution: element.dataset.attribution || "",
        maxZoom: 19,
      }).addTo(map);
    }
    if (map.attributionControl) map.attributionControl.setPrefix(false);
    return map;
  }

  function load(element) {
    return fetch(element.dataset.geometry, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("geometry " + r.status);
      return r.json();
    });
  }

  // --- The report form: pick a point ---------------------------------------------------------

  function setUpPicker(picker) {
    var element = picker.querySelector("[data-noaber-map]");
    var latitude = document.getElementById("id_latitude");
    var longitude = document.getElementById("id_longitude");
    var status = picker.querySelector("[data-noaber-map-status]");
    var centre = picker.querySelector("[data-noaber-map-centre]");
    if (!element || !latitude || !longitude) return;
    picker.hidden = false;
    var map = newMap(element);
    var stroke = colour(element, "--noaber-map-stroke", "#1d5b8c");
    var marker = null;
    var bounds = null;

    function show(lat, lng) {
      if (marker) marker.setLatLng([lat, lng]);
      else {
        marker = L.circleMarker([lat, lng], {
          radius: 9, color: colour(element, "--noaber-map-marker", "#a01a1a"), weight: 3,
          fillOpacity: 0.6, interactive: false,
        }).addTo(map);
      }
    }

    function choose(latlng) {
      latitude.value = latlng.lat.toFixed(6);
      longitude.value = latlng.lng.toFixed(6);
      show(latlng.lat, latlng.lng);
      status.textContent = status.dataset.chosen
        ? status.dataset.chosen.replace("%s", latitude.value + ", " + longitude.value)
        : latitude.value + ", " + longitude.value;
    }

    function fromFields() {
      var lat = parseFloat(latitude.value), lng = parseFloat(longitude.value);
      if (isFinite(lat) && isFinite(lng)) show(lat, lng);
    }

    load(element).then(function (data) {
      var layer = L.geoJSON(data, {
        style: function (feature) {
          var outline = feature.properties.kind === "gemeente";
          return {
            color: stroke, weight: outline ? 3 : 1, fill: !outline,
            fillOpacity: 0.08, fillColor: stroke, interactive: false,
          };
        },
      }).addTo(map);
      bounds = layer.getLayers().length ? layer.getBounds() : null;
      if (bounds) map.fitBounds(bounds);
      else map.setView([52.4, 6.9], 11);
      fromFields();
    }).catch(function () {
      picker.hidden = true; // the coordinate fields remain
    });

    map.on("click", function (event) { choose(event.latlng); });
    centre.addEventListener("click", function () { choose(map.getCenter()); });
    latitude.addEventListener("change", fromFields);
    longitude.addEventListener("change", fromFields);
    // A map inside a closed <details> has no size until it opens.
    var details = picker.closest("details");
    if (details) {
      details.addEventListener("toggle", function () {
        map.invalidateSize();
        if (details.open && bounds) map.fitBounds(bounds);
        if (details.open && marker) map.panTo(marker.getLatLng());
      });
    }
  }

  // --- The staff map: counts per area --------------------------------------------------------

  function setUpCounts(element) {
    var source = document.getElementById(element.dataset.counts);
    var counts = source ? JSON.parse(source.textContent) : {};
    var bands = [
      colour(element, "--noaber-map-band-0", "#ffffff"),
      colour(element, "--noaber-map-band-1", "#e8eff4"),
      colour(element, "--noaber-map-band-2", "#8eadc6"),
      colour(element, "--noaber-map-band-3", "#1d5b8c"),
      colour(element, "--noaber-map-band-4", "#113754"),
    ];
    var stroke = colour(element, "--noaber-map-stroke", "#1d5b8c");
    var map = newMap(element);
    load(element).then(function (data) {
      var layer = L.geoJSON(data, {
        style: function (feature) {
          var area = counts[feature.properties.area];
          var outline = feature.properties.kind === "gemeente";
          return {
            color: stroke, weight: outline ? 3 : 1.5,
            fillColor: bands[area ? area.band : 0], fillOpacity: area ? 0.75 : 0.15,
          };
        },
        onEachFeature: function (feature, path) {
          var area = counts[feature.properties.area];
          var text = area ? area.label : feature.properties.name;
          path.bindTooltip(text, { sticky: true });
        },
      }).addTo(map);
      if (layer.getLayers().length) map.fitBounds(layer.getBounds());
    });
  }

  document.querySelectorAll("[data-noaber-map-picker]").forEach(setUpPicker);
  document.querySelectorAll('[data-noaber-map="counts"]').forEach(setUpCounts);
})();
